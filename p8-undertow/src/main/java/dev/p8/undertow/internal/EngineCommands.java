package dev.p8.undertow.internal;

import dev.p8.internal.zmq.CommandServer;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Pushpin's command socket, answered from the engine's state. Runs on the command thread. */
final class EngineCommands implements CommandServer.Commands {

  private final Engine engine;

  EngineCommands(Engine engine) {
    this.engine = engine;
  }

  /** Connection ids are those of WebSocket sessions, the only connections a backend names. */
  @Override
  public List<String> conncheck(List<String> ids) {
    List<String> alive = new ArrayList<>();
    for (ClientWebSocket w : engine.webSocketSessions()) {
      if (ids.contains(w.id)) {
        alive.add(w.id);
      }
    }
    return alive;
  }

  @Override
  public Map<String, String> zmqUris() {
    return engine.zmqUris();
  }

  /**
   * Forgets every channel's last id, so the next item on each goes out whatever its prev-id,
   * and asks the backend again for every hold (long-polls resend their request, streams with a
   * next link fetch it), paced as first-subscription updates are, as Pushpin does.
   */
  @Override
  public void recover() {
    engine.forgetLastIds();
    for (String channel : engine.hub().channelNames()) {
      engine.updateHolds(channel);
    }
  }

  @Override
  public void refreshConnection(String cid) throws CommandServer.CommandException {
    for (ClientWebSocket w : engine.webSocketSessions()) {
      if (w.id.equals(cid)) {
        w.thread.execute(w::refresh);
        return;
      }
    }
    throw new CommandServer.CommandException("item-not-found");
  }

  @Override
  public void refreshChannel(String channel) {
    engine.publish(Item.builder(channel).wsMessage(WsMessageFormat.refresh()).build());
  }

  @Override
  public void publish(List<Item> items) {
    items.forEach(engine::publish);
  }
}
