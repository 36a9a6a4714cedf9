// Reading a streamed answer (ask, chat): the frames of an event-stream response body as they
// arrive. One reader for every page that streams answers (docs/events.md, "Answer streams").

/** Frames of an event stream body, as they arrive: yields {id, type, data}. */
export async function* frames(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let id = null;
      let data = null;
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) id = Number(line.slice(4));
        else if (line.startsWith("data: ")) data = JSON.parse(line.slice(6));
      }
      if (data) yield { id, type: data.type, data: data.data };
    }
  }
}
