/**
 * Publishing: the {@link dev.p8.publish.Item} and its formats, the
 * {@link dev.p8.publish.Publisher} interface, {@link dev.p8.publish.HttpPublisher}, which
 * posts items to the control API of P8 or Pushpin instances, and
 * {@link dev.p8.publish.ZmqPublisher}, which sends them over ZeroMQ (XPUB or PUSH).
 *
 * <p>Every type here is immutable or an interface whose implementations are thread safe.
 */
package dev.p8.publish;
