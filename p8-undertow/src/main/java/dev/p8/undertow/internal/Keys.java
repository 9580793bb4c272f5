package dev.p8.undertow.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Grip-Sig keys in pushpin.conf form: the literal text, or {@code base64:} and base64. */
public final class Keys {

  private Keys() {}

  /**
   * Decodes a key.
   *
   * @throws IllegalArgumentException if it is empty or its base64 is malformed
   */
  public static byte[] decode(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("signing key must not be empty");
    }
    if (key.startsWith("base64:")) {
      try {
        return Base64.getDecoder().decode(key.substring(7));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("signing key: the text after 'base64:' is not valid base64");
      }
    }
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
