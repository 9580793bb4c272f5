/**
 * Delivery guarantees between publish and fan-out: per-channel ordering by {@code id} /
 * {@code prev-id} ({@link dev.p8.internal.seq.Sequencer}) and de-duplication of recently seen
 * IDs ({@link dev.p8.internal.seq.IdCache}), as Pushpin's handler does them.
 */
package dev.p8.internal.seq;
