using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Notifications.Data.Migrations
{
    /// <inheritdoc />
    public partial class SafeSubscribing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ConfirmedAt",
                table: "subscribers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastMailedAt",
                table: "subscribers",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ConfirmedAt",
                table: "subscribers");

            migrationBuilder.DropColumn(
                name: "LastMailedAt",
                table: "subscribers");
        }
    }
}
