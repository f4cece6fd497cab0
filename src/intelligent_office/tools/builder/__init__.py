"""The tool builder: from a tool-gap report to a tested MCP server a person approves.

Kept light: importing the package loads nothing; import the modules you need.
"""
