"""The live transport: WebSocket rooms and the broker that joins app instances."""
