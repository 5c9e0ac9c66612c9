using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Notifications.Data.Migrations
{
    /// <inheritdoc />
    public partial class ForYouDigests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ForYouCollection",
                table: "subscribers",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "account_links",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    ChangedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    DeletedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Revision = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_account_links", x => x.AccountId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_account_links_Email",
                table: "account_links",
                column: "Email");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "account_links");

            migrationBuilder.DropColumn(
                name: "ForYouCollection",
                table: "subscribers");
        }
    }
}
