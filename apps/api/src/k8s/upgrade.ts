// Upgrade requests (kubectl exec and port-forward open WebSockets) go through the same routes and request
// pipeline as every other request: Node hands them to the 'upgrade' event with the raw connection, and
// this passes them on as ordinary requests whose response is written to that connection. A handler that
// accepts the upgrade takes the socket over; any other answer (401, 403, a Status) closes it.
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

export function routeUpgradesAsRequests(server: Server): void {
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (head.length) socket.unshift(head);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => {
      res.detachSocket(socket);
      socket.end();
    });
    socket.once('error', () => socket.destroy());
    server.emit('request', req, res);
  });
}
