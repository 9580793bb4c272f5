/** WebSocket internals: GRIP control messages and the grip extension. */
package dev.p8.internal.ws;
