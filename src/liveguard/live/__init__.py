"""Live rooms: sessions, their events in (HTTP, WebSocket, NATS workers), frames read for QR
codes and on-screen text, the monitor that reads each event in the room's context, and the
timeline and streams staff watch. Acting on findings is in ``flows``, through enforcement."""
