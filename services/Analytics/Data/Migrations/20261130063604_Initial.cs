using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Analytics.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "archive_files",
                columns: table => new
                {
                    Path = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    EventType = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Events = table.Column<int>(type: "integer", nullable: false),
                    WrittenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_archive_files", x => x.Path);
                });

            migrationBuilder.CreateTable(
                name: "archived_messages",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    EventType = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_archived_messages", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "job_runs",
                columns: table => new
                {
                    Job = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Occurrence = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Holder = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_runs", x => new { x.Job, x.Occurrence });
                });

            migrationBuilder.CreateIndex(
                name: "IX_archive_files_EventType_Day",
                table: "archive_files",
                columns: new[] { "EventType", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_archived_messages_EventType_Day",
                table: "archived_messages",
                columns: new[] { "EventType", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_job_runs_CompletedAt",
                table: "job_runs",
                column: "CompletedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "archive_files");

            migrationBuilder.DropTable(
                name: "archived_messages");

            migrationBuilder.DropTable(
                name: "job_runs");
        }
    }
}
