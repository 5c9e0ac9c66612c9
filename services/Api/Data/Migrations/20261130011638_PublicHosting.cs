using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class PublicHosting : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "Upvotes",
                table: "papers",
                newName: "LocalUpvotes");

            // Upvotes held the source's count plus ours; LocalUpvotes holds ours only.
            migrationBuilder.Sql("""UPDATE papers SET "LocalUpvotes" = GREATEST(0, "LocalUpvotes" - "SourceUpvotes");""");

            migrationBuilder.CreateTable(
                name: "submissions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PaperId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Title = table.Column<string>(type: "text", nullable: true),
                    Summary = table.Column<string>(type: "text", nullable: true),
                    Authors = table.Column<string>(type: "text", nullable: false),
                    SubmittedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SubmittedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ListedOn = table.Column<DateOnly>(type: "date", nullable: true),
                    ModeratedBy = table.Column<string>(type: "text", nullable: true),
                    ModeratedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_submissions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_submissions_PaperId",
                table: "submissions",
                column: "PaperId");

            migrationBuilder.CreateIndex(
                name: "IX_submissions_Status_ListedOn",
                table: "submissions",
                columns: new[] { "Status", "ListedOn" });

            migrationBuilder.CreateIndex(
                name: "IX_submissions_SubmittedBy_SubmittedAt",
                table: "submissions",
                columns: new[] { "SubmittedBy", "SubmittedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "submissions");

            migrationBuilder.RenameColumn(
                name: "LocalUpvotes",
                table: "papers",
                newName: "Upvotes");

            migrationBuilder.Sql("""UPDATE papers SET "Upvotes" = "Upvotes" + "SourceUpvotes";""");
        }
    }
}
