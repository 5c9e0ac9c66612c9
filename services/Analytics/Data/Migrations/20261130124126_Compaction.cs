using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Analytics.Data.Migrations
{
    /// <inheritdoc />
    public partial class Compaction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CompactedInto",
                table: "archive_files",
                type: "character varying(400)",
                maxLength: 400,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CompactedInto",
                table: "archive_files");
        }
    }
}
