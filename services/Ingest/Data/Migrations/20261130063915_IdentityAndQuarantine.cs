using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Ingest.Data.Migrations
{
    /// <inheritdoc />
    public partial class IdentityAndQuarantine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IdentityId",
                table: "seen_papers",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "quarantined_records",
                columns: table => new
                {
                    Source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RecordId = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    Content = table.Column<string>(type: "text", nullable: true),
                    QuarantinedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_quarantined_records", x => new { x.Source, x.RecordId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_quarantined_records_QuarantinedAt",
                table: "quarantined_records",
                column: "QuarantinedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "quarantined_records");

            migrationBuilder.DropColumn(
                name: "IdentityId",
                table: "seen_papers");
        }
    }
}
