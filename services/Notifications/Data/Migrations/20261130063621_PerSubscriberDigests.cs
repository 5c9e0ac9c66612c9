using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Notifications.Data.Migrations
{
    /// <inheritdoc />
    public partial class PerSubscriberDigests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_deliveries_SubscriberId",
                table: "deliveries");

            migrationBuilder.AddColumn<string>(
                name: "Authors",
                table: "subscribers",
                type: "text",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Frequency",
                table: "subscribers",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Daily");

            migrationBuilder.AddColumn<int>(
                name: "Hour",
                table: "subscribers",
                type: "integer",
                nullable: false,
                defaultValue: 7);

            migrationBuilder.AddColumn<string>(
                name: "Keywords",
                table: "subscribers",
                type: "text",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "subscribers",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Personal");

            migrationBuilder.AddColumn<DateTime>(
                name: "PausedAt",
                table: "subscribers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PausedReason",
                table: "subscribers",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PermanentFailures",
                table: "subscribers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Seeds",
                table: "subscribers",
                type: "text",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "TimeZone",
                table: "subscribers",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "UTC");

            migrationBuilder.AddColumn<string>(
                name: "Weekday",
                table: "subscribers",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Monday");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "SentAt",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone");

            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "deliveries",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "ClaimedAt",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "Error",
                table: "deliveries",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MessageId",
                table: "deliveries",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Period",
                table: "deliveries",
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Reasons",
                table: "deliveries",
                type: "text",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<int>(
                name: "SmtpStatus",
                table: "deliveries",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "State",
                table: "deliveries",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Sent");

            migrationBuilder.AddColumn<int>(
                name: "Upvotes",
                table: "candidate_papers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "UpvotesAt",
                table: "candidate_papers",
                type: "timestamp with time zone",
                nullable: true);

            // Deliveries from before periods existed: each its own period, sent, at the time it was sent.
            migrationBuilder.Sql("""
                UPDATE deliveries SET "Period" = 'sent-' || "Id"::text, "MessageId" = 'digest.' || "Id"::text || '@legacy', "ClaimedAt" = "SentAt" AT TIME ZONE 'UTC'
                """);

            migrationBuilder.CreateIndex(
                name: "IX_deliveries_State",
                table: "deliveries",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_deliveries_SubscriberId_Period",
                table: "deliveries",
                columns: new[] { "SubscriberId", "Period" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_deliveries_State",
                table: "deliveries");

            migrationBuilder.DropIndex(
                name: "IX_deliveries_SubscriberId_Period",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "Authors",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "Frequency",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "Hour",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "Keywords",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "PausedAt",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "PausedReason",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "PermanentFailures",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "Seeds",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "TimeZone",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "Weekday",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "Attempts",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "ClaimedAt",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "Error",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "MessageId",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "Period",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "Reasons",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "SmtpStatus",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "State",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "Upvotes",
                table: "candidate_papers");

            migrationBuilder.DropColumn(
                name: "UpvotesAt",
                table: "candidate_papers");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "SentAt",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)),
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_deliveries_SubscriberId",
                table: "deliveries",
                column: "SubscriberId");
        }
    }
}
