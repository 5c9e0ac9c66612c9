using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Analytics.Data.Migrations
{
    /// <inheritdoc />
    public partial class EnrichmentLag : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "paper_versions",
                columns: table => new
                {
                    PaperId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ContentHash = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    IngestedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EnrichedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_paper_versions", x => new { x.PaperId, x.ContentHash });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "paper_versions");
        }
    }
}
