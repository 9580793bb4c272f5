/**
 * Tnetstrings, the encoding of Pushpin's ZeroMQ messages: publish items, commands and stats.
 * Not API: may change in any release.
 */
package dev.p8.internal.tnet;
