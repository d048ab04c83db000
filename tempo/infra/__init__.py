"""Infrastructure the product areas share: transactions, schema migrations, clock, Markdown,
translation catalogue, signals, blocking work off the event loop."""
