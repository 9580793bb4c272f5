/**
 * Pushpin's ZeroMQ sockets: the PULL and SUB publish inputs with subscription forwarding, the
 * ZRPC command socket and the stats PUB socket. Each owns one thread that alone touches its
 * sockets. Not API: may change in any release.
 */
package dev.p8.internal.zmq;
