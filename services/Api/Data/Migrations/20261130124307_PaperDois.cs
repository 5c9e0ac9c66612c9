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
            // Rows written before this column held only the first DOI: it becomes their list.
            migrationBuilder.Sql("""UPDATE papers SET "Dois" = json_build_array("Doi")::text WHERE "Doi" IS NOT NULL AND "Doi" <> '';""");
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
