using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Notifications.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReplicaSafe : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EnrichedAt",
                table: "candidate_papers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "EnrichedVersion",
                table: "candidate_papers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Revision",
                table: "candidate_papers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "candidate_papers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

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
                name: "IX_job_runs_CompletedAt",
                table: "job_runs",
                column: "CompletedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_runs");

            migrationBuilder.DropColumn(
                name: "EnrichedAt",
                table: "candidate_papers");

            migrationBuilder.DropColumn(
                name: "EnrichedVersion",
                table: "candidate_papers");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "candidate_papers");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "candidate_papers");
        }
    }
}
