using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Ingest.Data.Migrations
{
    /// <inheritdoc />
    public partial class HarvestCursors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "harvest_cursors",
                columns: table => new
                {
                    Source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    From = table.Column<DateOnly>(type: "date", nullable: true),
                    ResumptionToken = table.Column<string>(type: "text", nullable: true),
                    HarvestDate = table.Column<DateOnly>(type: "date", nullable: true),
                    LatestDatestamp = table.Column<DateOnly>(type: "date", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_harvest_cursors", x => x.Source);
                });

            migrationBuilder.CreateTable(
                name: "harvest_gap_reports",
                columns: table => new
                {
                    Source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    From = table.Column<DateOnly>(type: "date", nullable: true),
                    CheckedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    IdsChecked = table.Column<int>(type: "integer", nullable: false),
                    HighestId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Filtered = table.Column<bool>(type: "boolean", nullable: false),
                    Missing = table.Column<int>(type: "integer", nullable: false),
                    Gaps = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_harvest_gap_reports", x => x.Source);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "harvest_cursors");

            migrationBuilder.DropTable(
                name: "harvest_gap_reports");
        }
    }
}
