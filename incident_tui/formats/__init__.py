"""What leaves and enters as files: the postmortem export, import, the CLI's views."""
