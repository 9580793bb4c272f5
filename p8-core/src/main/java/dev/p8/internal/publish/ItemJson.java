package dev.p8.internal.publish;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.p8.publish.Header;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The JSON form of published items, as the control API ({@code POST /publish/}) and Pushpin's
 * GRIP libraries write it: {@code {"items":[item, ...]}}.
 *
 * <h2>Decoding</h2>
 * Follows Pushpin's rules and, where Pushpin has one, its error wording, with the position of
 * the item ({@code item N}, counted from 0) in front. Each item has {@code channel} (a
 * non-empty string), optional {@code id}, {@code prev-id}, {@code meta} (an object of strings),
 * {@code no-seq} (a boolean) and {@code size} (an integer &ge; 0, checked and then ignored), and
 * one or more of the formats {@code http-response}, {@code http-stream} and
 * {@code ws-message}, either inside a {@code formats} object or, in the legacy layout, directly
 * on the item. A JSON {@code null} counts as absent for every optional field. Fields of a
 * format that its action does not use are ignored, as in Pushpin. Base64 fields
 * ({@code body-bin}, {@code content-bin}) are decoded leniently: characters outside the
 * alphabet, such as line breaks, are skipped and padding is optional.
 *
 * <p>Where P8 is stricter than Pushpin: the channel must not be empty, an action must be one the
 * format supports, header names must be tokens and header values and reasons must not contain
 * control characters, a WebSocket close code must fit in two bytes, and at most
 * {@value #MAX_ITEMS} items are accepted per request. {@code content-filters} is checked and
 * then ignored.
 *
 * <p>The body size is limited by the caller; nesting depth, string and number lengths by
 * Jackson's {@link com.fasterxml.jackson.core.StreamReadConstraints} defaults.
 *
 * <h2>Encoding</h2>
 * {@link #encodeItems(List)} writes the canonical form: formats inside {@code formats},
 * headers as a list of pairs, text as {@code body}/{@code content} when it is valid UTF-8 and
 * as base64 otherwise, default values left out. Decoding the encoding gives equal items.
 *
 * <p>Stateless and thread safe.
 */
public final class ItemJson {

  /**
   * The most items one request may carry. Pushpin has no such limit beyond its body size;
   * P8 adds it so that one request cannot queue an unbounded amount of work.
   */
  public static final int MAX_ITEMS = 10_000;

  static final String NOT_JSON = "Body is not valid JSON.";
  static final String NOT_OBJECT = "Invalid format.";
  static final String NO_ITEMS = "Invalid format: object does not contain 'items'";
  static final String ITEMS_WRONG_TYPE = "Invalid format: object contains 'items' with wrong type";

  static final String HTTP_RESPONSE = "http-response";
  static final String HTTP_STREAM = "http-stream";
  static final String WS_MESSAGE = "ws-message";

  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private ItemJson() {
  }

  /**
   * Decodes a control API body, {@code {"items":[...]}}.
   *
   * @param json the request body, not null
   * @return the items, in order, never empty unless {@code items} is an empty list
   * @throws InvalidPublishException with the control API's 400 text if the body is not JSON,
   *     not an object with an {@code items} list, holds more than {@value #MAX_ITEMS} items,
   *     or an item is invalid
   */
  public static List<Item> decodeItems(byte[] json) throws InvalidPublishException {
    Objects.requireNonNull(json, "json");
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidPublishException(NOT_JSON);
    }
    if (root == null || !root.isContainerNode()) {
      // Like Pushpin, a bare scalar or an empty body is not a JSON document at all.
      throw new InvalidPublishException(NOT_JSON);
    }
    if (!root.isObject()) {
      throw new InvalidPublishException(NOT_OBJECT);
    }
    if (!root.has("items")) {
      throw new InvalidPublishException(NO_ITEMS);
    }
    JsonNode items = root.get("items");
    if (!items.isArray()) {
      throw new InvalidPublishException(ITEMS_WRONG_TYPE);
    }
    if (items.size() > MAX_ITEMS) {
      throw new InvalidPublishException("Invalid format: object contains 'items' with "
          + items.size() + " elements, more than the maximum of " + MAX_ITEMS);
    }
    List<Item> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(decodeItem(items.get(i), i));
    }
    return out;
  }

  /**
   * Decodes one item object.
   *
   * @param node  the item, as parsed by Jackson; null is treated as a non-object
   * @param index the item's position, used in error messages
   * @return the item
   * @throws InvalidPublishException with text {@code Invalid format: item <index>: <detail>}
   */
  public static Item decodeItem(JsonNode node, int index) throws InvalidPublishException {
    return new ItemDecoder(index).item(node);
  }

  /**
   * Encodes items in the canonical form.
   *
   * @param items the items, in order
   * @return the UTF-8 JSON {@code {"items":[...]}}
   */
  public static byte[] encodeItems(List<Item> items) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("items");
      for (Item item : items) {
        writeItem(g, item);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      // A ByteArrayOutputStream does not fail; this only satisfies the generator's signature.
      throw new UncheckedIOException("encoding items failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Encodes one item object, as Pushpin's ZeroMQ inputs take it after a {@code J}.
   *
   * @param item        the item
   * @param withChannel whether to write {@code channel}; a SUB socket's item leaves it out,
   *     because the channel travels in the message's first frame
   * @return the UTF-8 JSON object
   */
  public static byte[] encodeItem(Item item, boolean withChannel) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writeItem(g, item, withChannel);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding an item failed", e);
    }
    return out.toByteArray();
  }

  private static void writeItem(JsonGenerator g, Item item) throws IOException {
    writeItem(g, item, true);
  }

  private static void writeItem(JsonGenerator g, Item item, boolean withChannel)
      throws IOException {
    g.writeStartObject();
    if (withChannel) {
      g.writeStringField("channel", item.channel());
    }
    if (item.id().isPresent()) {
      g.writeStringField("id", item.id().get());
    }
    if (item.prevId().isPresent()) {
      g.writeStringField("prev-id", item.prevId().get());
    }
    if (!item.meta().isEmpty()) {
      g.writeObjectFieldStart("meta");
      for (Map.Entry<String, String> e : item.meta().entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
    if (item.noSeq()) {
      g.writeBooleanField("no-seq", true);
    }
    g.writeObjectFieldStart("formats");
    if (item.httpResponse().isPresent()) {
      writeHttpResponse(g, item.httpResponse().get());
    }
    if (item.httpStream().isPresent()) {
      writeHttpStream(g, item.httpStream().get());
    }
    if (item.wsMessage().isPresent()) {
      writeWsMessage(g, item.wsMessage().get());
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void writeHttpResponse(JsonGenerator g, HttpResponseFormat f) throws IOException {
    g.writeObjectFieldStart(HTTP_RESPONSE);
    if (f.action() == HttpResponseFormat.Action.HINT) {
      g.writeStringField("action", "hint");
    } else {
      g.writeNumberField("code", f.code());
      if (f.reason().isPresent()) {
        g.writeStringField("reason", f.reason().get());
      }
      if (!f.headers().isEmpty()) {
        g.writeArrayFieldStart("headers");
        for (Header h : f.headers()) {
          g.writeStartArray();
          g.writeString(h.name());
          g.writeString(h.value());
          g.writeEndArray();
        }
        g.writeEndArray();
      }
      if (f.bodyPatch().isPresent()) {
        g.writeFieldName("body-patch");
        g.writeRawValue(f.bodyPatch().get());
      } else {
        writeBytes(g, "body", "body-bin", f.body());
      }
      writeContentFilters(g, f.contentFilters());
    }
    g.writeEndObject();
  }

  private static void writeContentFilters(JsonGenerator g, Optional<List<String>> filters)
      throws IOException {
    if (filters.isPresent()) {
      g.writeArrayFieldStart("content-filters");
      for (String name : filters.get()) {
        g.writeString(name);
      }
      g.writeEndArray();
    }
  }

  private static void writeHttpStream(JsonGenerator g, HttpStreamFormat f) throws IOException {
    g.writeObjectFieldStart(HTTP_STREAM);
    switch (f.action()) {
      case SEND:
        writeBytes(g, "content", "content-bin", f.content());
        writeContentFilters(g, f.contentFilters());
        break;
      case CLOSE:
        g.writeStringField("action", "close");
        break;
      default:
        g.writeStringField("action", "hint");
        break;
    }
    g.writeEndObject();
  }

  private static void writeWsMessage(JsonGenerator g, WsMessageFormat f) throws IOException {
    g.writeObjectFieldStart(WS_MESSAGE);
    switch (f.action()) {
      case SEND:
        byte[] content = f.content();
        // Without "type", "content" means text and "content-bin" means binary.
        switch (f.type()) {
          case TEXT:
            String text = utf8(content);
            if (text != null) {
              g.writeStringField("content", text);
            } else {
              g.writeStringField("type", "text");
              g.writeStringField("content-bin", Base64.getEncoder().encodeToString(content));
            }
            break;
          case BINARY:
            g.writeStringField("content-bin", Base64.getEncoder().encodeToString(content));
            break;
          default:
            g.writeStringField("type", f.type() == WsMessageFormat.Type.PING ? "ping" : "pong");
            g.writeStringField("content-bin", Base64.getEncoder().encodeToString(content));
            break;
        }
        writeContentFilters(g, f.contentFilters());
        break;
      case CLOSE:
        g.writeStringField("action", "close");
        if (f.closeCode().isPresent()) {
          g.writeNumberField("code", f.closeCode().getAsInt());
        }
        if (f.closeReason().isPresent()) {
          g.writeStringField("reason", f.closeReason().get());
        }
        break;
      case REFRESH:
        g.writeStringField("action", "refresh");
        break;
      default:
        g.writeStringField("action", "hint");
        break;
    }
    g.writeEndObject();
  }

  private static void writeBytes(JsonGenerator g, String textField, String binField, byte[] bytes)
      throws IOException {
    String text = utf8(bytes);
    if (text != null) {
      g.writeStringField(textField, text);
    } else {
      g.writeStringField(binField, Base64.getEncoder().encodeToString(bytes));
    }
  }

  /** Decodes strict UTF-8, or returns null when the bytes would not survive a round trip. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
