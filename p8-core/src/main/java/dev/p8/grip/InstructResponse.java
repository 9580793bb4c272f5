package dev.p8.grip;

import dev.p8.publish.Header;
import java.util.List;

/**
 * The response a JSON instruction ({@code application/grip-instruct}) gives the client.
 *
 * @param code    the status code
 * @param reason  the reason phrase, or null for the standard one
 * @param headers the headers
 * @param body    the body
 */
public record InstructResponse(int code, String reason, List<Header> headers, byte[] body) {

  /** Copies the header list. */
  public InstructResponse {
    headers = List.copyOf(headers);
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
