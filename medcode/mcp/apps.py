from django.apps import AppConfig


class McpConfig(AppConfig):
    name = "medcode.mcp"
    label = "mcp"
    verbose_name = "MCP server for AI agents"
