using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class PaperDois : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Dois",
                table: "papers",
                type: "text",
                nullable: false,
                defaultValue: "[]");
            // Rows written before this column hold one DOI, or several joined by spaces (older events): they become the list, Doi the first.
            migrationBuilder.Sql("""
                UPDATE papers SET "Dois" = array_to_json(regexp_split_to_array(btrim("Doi"), '\s+'))::text,
                    "Doi" = (regexp_split_to_array(btrim("Doi"), '\s+'))[1]
                WHERE btrim(coalesce("Doi", '')) <> '';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Dois",
                table: "papers");
        }
    }
}
