package dev.p8.undertow.internal;

import dev.p8.internal.text.Quoting;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code x_forwarded_for} rule of pushpin.conf: {@code truncate:N} keeps the last N
 * {@code X-Forwarded-For} values (0 drops them all), {@code append} adds the client's address.
 * Without either, the header passes untouched.
 *
 * @param truncate the number of values kept, or -1 to keep all
 * @param append   whether the peer address is appended
 */
public record XffRule(int truncate, boolean append) {

  /** Leaves the header as the client sent it. */
  public static final XffRule NONE = new XffRule(-1, false);

  /**
   * Parses a comma-separated rule list, such as {@code truncate:0,append}.
   *
   * @param option names the option in errors
   * @param text   the rules; empty gives {@link #NONE}
   * @return the rule
   * @throws IllegalArgumentException naming the option and the item that is neither
   *     {@code truncate:N} nor {@code append}
   */
  public static XffRule parse(String option, String text) {
    int truncate = -1;
    boolean append = false;
    for (String raw : text.split(",")) {
      String item = raw.strip();
      if (item.isEmpty()) {
        continue;
      }
      if (item.equals("append")) {
        append = true;
      } else if (item.startsWith("truncate:") && item.length() > 9 && item.length() < 19
          && item.substring(9).chars().allMatch(c -> c >= '0' && c <= '9')) {
        truncate = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(item.substring(9)));
      } else {
        throw new IllegalArgumentException(option + ": " + Quoting.quote(item, 40)
            + " is not a rule; expected truncate:N or append, comma-separated");
      }
    }
    return new XffRule(truncate, append);
  }

  /** Applies the rule to the values of the header, oldest first. */
  List<String> apply(List<String> values, String peer) {
    List<String> out = new ArrayList<>(values);
    if (truncate >= 0 && out.size() > truncate) {
      out = new ArrayList<>(out.subList(out.size() - truncate, out.size()));
    }
    if (append && peer != null) {
      out.add(peer);
    }
    return out;
  }
}
