/**
 * Publishing: the {@link dev.p8.publish.Item} and its formats, the
 * {@link dev.p8.publish.Publisher} interface and {@link dev.p8.publish.HttpPublisher}, which
 * posts items to the control API of P8 or Pushpin.
 *
 * <p>Every type here is immutable or an interface whose implementations are thread safe.
 */
package dev.p8.publish;
