using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Papers.Notifications.Data.Migrations
{
    /// <inheritdoc />
    public partial class SubscriberTopics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TopicDefinitions",
                table: "subscribers",
                type: "text",
                nullable: false,
                defaultValue: "[]"); // existing subscribers: no topics of their own
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TopicDefinitions",
                table: "subscribers");
        }
    }
}
