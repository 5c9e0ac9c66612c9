using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class Reenrichment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "RequestAttempts",
                table: "enrichments",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "RequestedAt",
                table: "enrichments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RequestedModel",
                table: "enrichments",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "embedding_models",
                columns: table => new
                {
                    EmbeddingModel = table.Column<string>(type: "text", nullable: false),
                    Dimensions = table.Column<int>(type: "integer", nullable: false),
                    Instance = table.Column<string>(type: "text", nullable: false),
                    LastStartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastAnnouncedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_embedding_models", x => x.EmbeddingModel);
                });

            migrationBuilder.CreateIndex(
                name: "IX_enrichments_EmbeddingModel",
                table: "enrichments",
                column: "EmbeddingModel");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "embedding_models");

            migrationBuilder.DropIndex(
                name: "IX_enrichments_EmbeddingModel",
                table: "enrichments");

            migrationBuilder.DropColumn(
                name: "RequestAttempts",
                table: "enrichments");

            migrationBuilder.DropColumn(
                name: "RequestedAt",
                table: "enrichments");

            migrationBuilder.DropColumn(
                name: "RequestedModel",
                table: "enrichments");
        }
    }
}
