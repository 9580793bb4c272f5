package dev.p8.grip;

import dev.p8.publish.Header;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The response a JSON instruction ({@code application/grip-instruct}) gives the client, from
 * its {@code "response"} object: for a response hold the timeout response, for a stream hold
 * the start of the stream, otherwise the whole response. The instruct body itself is never
 * sent. Immutable and thread safe; {@link #body()} returns a copy.
 *
 * @param code    the status code, 0 to 999
 * @param reason  the reason phrase, or null for the standard one of the code
 * @param headers the headers in order, repeated names allowed
 * @param body    the body, possibly empty
 */
public record InstructResponse(int code, String reason, List<Header> headers, byte[] body) {

  /**
   * Validates the parts and copies the header list and the body.
   *
   * @param code the status code
   * @param reason the reason phrase, or null
   * @param headers the headers
   * @param body the body
   * @throws NullPointerException     if {@code headers}, an element of it, or {@code body} is
   *                                  null
   * @throws IllegalArgumentException if the code is outside 0 to 999
   */
  public InstructResponse {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    if (code < 0 || code > 999) {
      throw new IllegalArgumentException("response code must be 0-999, was " + code);
    }
    headers = List.copyOf(headers);
    body = body.clone();
  }

  /**
   * The body.
   *
   * @return a copy of the body bytes
   */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** Equal when code, reason, headers and body bytes are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof InstructResponse r && code == r.code && Objects.equals(reason, r.reason)
        && headers.equals(r.headers) && Arrays.equals(body, r.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(code, reason, headers, Arrays.hashCode(body));
  }

  /** Shows the code, reason, headers and body length, not the body. */
  @Override
  public String toString() {
    return "InstructResponse[code=" + code + ", reason=" + reason + ", headers=" + headers
        + ", body=" + body.length + " bytes]";
  }
}
