package dev.p8.publish;

import java.util.Objects;

/**
 * One HTTP header field: a name and a value, as they appear on the wire.
 *
 * <p>Names compare as given; use {@link #nameIs(String)} for the case-insensitive
 * comparison HTTP calls for. Instances are immutable and thread safe.
 *
 * @param name  the field name, never empty
 * @param value the field value, possibly empty
 */
public record Header(String name, String value) {

  /**
   * Validates that both parts are present and the name is not empty. The characters are not
   * checked here; the builders that send headers refuse names that are not HTTP tokens and
   * values with control characters.
   *
   * @param name  the field name
   * @param value the field value
   * @throws IllegalArgumentException if the name is empty
   */
  public Header {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("header name must not be empty");
    }
  }

  /**
   * Tells whether this header's name equals {@code other}, ignoring ASCII case.
   *
   * @param other the name to compare with
   * @return true when the names are equal ignoring case
   */
  public boolean nameIs(String other) {
    return name.equalsIgnoreCase(other);
  }
}
