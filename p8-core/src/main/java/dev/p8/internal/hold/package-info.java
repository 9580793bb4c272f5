/** Hold state machines: long-poll responses and HTTP streams, independent of the transport. */
package dev.p8.internal.hold;
