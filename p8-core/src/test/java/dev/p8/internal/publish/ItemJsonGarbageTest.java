package dev.p8.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.p8.publish.Item;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds the decoder random bytes, byte-level mutations of valid bodies and structural mutations
 * of valid item trees. The contract: a list of items or an {@link InvalidPublishException} with
 * one of the control API's texts, nothing else; and whatever decodes survives a round trip.
 */
class ItemJsonGarbageTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final String[] SEEDS = {
      "{\"items\":[{\"channel\":\"test\",\"http-stream\":{\"content\":\"hello there\\n\"}}]}",
      "{\"items\":[{\"channel\":\"c\",\"id\":\"2\",\"prev-id\":\"1\",\"meta\":{\"sender\":\"a\"},"
          + "\"no-seq\":true,\"size\":3,\"formats\":{\"http-response\":{\"code\":404,"
          + "\"reason\":\"Nope\",\"headers\":[[\"A\",\"1\"]],\"body-bin\":\"AAH/\","
          + "\"content-filters\":[\"build-id\"]},\"http-stream\":{\"action\":\"close\"},"
          + "\"ws-message\":{\"type\":\"ping\",\"content\":\"p\"}}}]}",
      "{\"items\":[{\"channel\":\"c\",\"formats\":{\"http-response\":{\"headers\":{\"A\":\"b\"},"
          + "\"body\":\"x\"},\"ws-message\":{\"action\":\"close\",\"code\":1000,"
          + "\"reason\":\"r\"}}},{\"channel\":\"d\",\"ws-message\":{\"content-bin\":\"aGk=\"}}]}",
  };

  private static final String JSON_CHARS = "{}[]\",:\\0-e.tn";

  private static final String[] KEYS = {"items", "channel", "id", "prev-id", "meta", "size",
      "no-seq", "formats", "http-response", "http-stream", "ws-message", "action", "code",
      "reason", "headers", "body", "body-bin", "body-patch", "content", "content-bin", "type",
      "content-filters", "x"};

  private static final String[] WORDS = {"send", "hint", "close", "refresh", "text", "binary",
      "ping", "pong", "", "A", "aGk=", "a b", "\r\n", "\u0000", "\ud800", "=", "build-id"};

  @Test
  void randomBytesOnlyEverFailWithTheDocumentedException() {
    Random random = new Random(0x5eed1);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(64)];
      random.nextBytes(bytes);
      check(bytes);
    }
  }

  @Test
  void byteMutationsOfValidBodiesOnlyEverFailWithTheDocumentedException() {
    Random random = new Random(0x5eed2);
    for (int i = 0; i < 30_000; i++) {
      byte[] body = SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.UTF_8);
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        body = mutateBytes(random, body);
      }
      check(body);
    }
  }

  @Test
  void structuralMutationsOfValidItemsOnlyEverFailWithTheDocumentedException() throws Exception {
    // Byte noise mostly breaks the JSON syntax; tree mutations reach the field checks.
    Random random = new Random(0x5eed3);
    int decoded = 0;
    for (int i = 0; i < 30_000; i++) {
      JsonNode root = MAPPER.readTree(SEEDS[random.nextInt(SEEDS.length)]);
      int mutations = 1 + random.nextInt(3);
      for (int m = 0; m < mutations; m++) {
        // Mostly inside one item: mutating the envelope only ever reaches its three messages.
        JsonNode items = root.get("items");
        boolean intoItem = items != null && items.isArray() && !items.isEmpty()
            && random.nextInt(10) != 0;
        mutateTree(random, intoItem ? items.get(random.nextInt(items.size())) : root, 0);
      }
      if (check(MAPPER.writeValueAsBytes(root))) {
        decoded++;
      }
    }
    // Guards against a mutator so destructive that the success path is never exercised.
    assertThat(decoded).isGreaterThan(1_000);
  }

  /** Returns whether the body decoded. */
  private static boolean check(byte[] body) {
    List<Item> items;
    try {
      items = ItemJson.decodeItems(body);
    } catch (InvalidPublishException e) {
      assertThat(e.getMessage()).matches("Body is not valid JSON\\.|Invalid format\\..*"
          + "|Invalid format: .+");
      assertThat(e.getMessage()).doesNotContain("\n", "\r", "\u0000");
      return false;
    } catch (RuntimeException e) {
      throw new AssertionError("undocumented " + e + " for input "
          + Arrays.toString(body), e);
    }
    try {
      assertThat(ItemJson.decodeItems(ItemJson.encodeItems(items))).isEqualTo(items);
    } catch (InvalidPublishException e) {
      fail("re-encoded items did not decode: " + e.getMessage() + " for input "
          + new String(body, StandardCharsets.UTF_8));
    }
    return true;
  }

  private static byte[] mutateBytes(Random random, byte[] in) {
    if (in.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    int at = random.nextInt(in.length);
    switch (random.nextInt(5)) {
      case 0: {
        byte[] out = in.clone();
        out[at] = (byte) random.nextInt(256);
        return out;
      }
      case 1: {
        byte[] out = new byte[in.length + 1];
        System.arraycopy(in, 0, out, 0, at);
        out[at] = (byte) JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length()));
        System.arraycopy(in, at, out, at + 1, in.length - at);
        return out;
      }
      case 2: {
        byte[] out = new byte[in.length - 1];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(in, at + 1, out, at, in.length - at - 1);
        return out;
      }
      case 3:
        return Arrays.copyOf(in, at);
      default: {
        byte[] out = in.clone();
        out[at] ^= (byte) (1 << random.nextInt(8));
        return out;
      }
    }
  }

  private static void mutateTree(Random random, JsonNode node, int depth) {
    if (node instanceof ObjectNode) {
      ObjectNode object = (ObjectNode) node;
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      if (names.isEmpty() || random.nextInt(4) == 0) {
        object.set(KEYS[random.nextInt(KEYS.length)], randomValue(random, depth));
        return;
      }
      String name = names.get(random.nextInt(names.size()));
      switch (random.nextInt(4)) {
        case 0:
          object.remove(name);
          return;
        case 1:
          object.set(name, randomValue(random, depth));
          return;
        default:
          mutateTree(random, object.get(name), depth + 1);
          return;
      }
    }
    if (node instanceof ArrayNode) {
      ArrayNode array = (ArrayNode) node;
      if (array.isEmpty() || random.nextInt(4) == 0) {
        array.add(randomValue(random, depth));
        return;
      }
      int at = random.nextInt(array.size());
      switch (random.nextInt(4)) {
        case 0:
          array.remove(at);
          return;
        case 1:
          array.set(at, randomValue(random, depth));
          return;
        default:
          mutateTree(random, array.get(at), depth + 1);
          return;
      }
    }
  }

  private static JsonNode randomValue(Random random, int depth) {
    switch (random.nextInt(depth > 3 ? 6 : 8)) {
      case 0:
        return NODES.nullNode();
      case 1:
        return NODES.booleanNode(random.nextBoolean());
      case 2:
        return NODES.numberNode(random.nextInt(2000) - 500);
      case 3:
        return NODES.numberNode(random.nextDouble() * 1e6 - 10);
      case 4:
      case 5:
        return NODES.textNode(WORDS[random.nextInt(WORDS.length)]);
      case 6: {
        ObjectNode object = NODES.objectNode();
        for (int i = random.nextInt(3); i > 0; i--) {
          object.set(KEYS[random.nextInt(KEYS.length)], randomValue(random, depth + 1));
        }
        return object;
      }
      default: {
        ArrayNode array = NODES.arrayNode();
        for (int i = random.nextInt(3); i > 0; i--) {
          array.add(randomValue(random, depth + 1));
        }
        return array;
      }
    }
  }
}
