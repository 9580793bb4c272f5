/**
 * For WebSocket backends written in Java: the WebSocket-over-HTTP event format
 * ({@link dev.p8.websocket.WebSocketEvents}) and GRIP control messages
 * ({@link dev.p8.websocket.GripControl}).
 */
package dev.p8.websocket;
