using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class Retagging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "RetagAttempts",
                table: "enrichments",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "RetagRequestedAt",
                table: "enrichments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RetagRequestedFor",
                table: "enrichments",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "TaggerModelId",
                table: "enrichments",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "tagger_promotions",
                columns: table => new
                {
                    EmbeddingModel = table.Column<string>(type: "text", nullable: false),
                    ModelId = table.Column<Guid>(type: "uuid", nullable: true),
                    PromotedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Revision = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tagger_promotions", x => x.EmbeddingModel);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tagger_promotions");

            migrationBuilder.DropColumn(
                name: "RetagAttempts",
                table: "enrichments");

            migrationBuilder.DropColumn(
                name: "RetagRequestedAt",
                table: "enrichments");

            migrationBuilder.DropColumn(
                name: "RetagRequestedFor",
                table: "enrichments");

            migrationBuilder.DropColumn(
                name: "TaggerModelId",
                table: "enrichments");
        }
    }
}
