"""The regulated process: scenario definitions (JSON), their validation, versions and templates."""
