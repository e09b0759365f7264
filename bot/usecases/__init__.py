"""What users see and receive: the `/uschina` commands, digests, reminders and alerts, the schedule that
times them, and the outbox that delivers them through the chat adapters."""
