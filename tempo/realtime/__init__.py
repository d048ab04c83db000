"""Socket.IO namespaces: rooms, protocol (docs/protocol.md), broadcast."""
