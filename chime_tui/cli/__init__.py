"""Non-interactive commands that mirror the AWS CLI. Never imports Textual."""
