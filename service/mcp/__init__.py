"""newsdesk as a Model Context Protocol server, for MCP hosts (desktop assistants, IDEs,
agents): the tools and their stdio transport."""
