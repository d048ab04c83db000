"""The mail outbox: e-mails queued in business transactions, delivered with retries."""
