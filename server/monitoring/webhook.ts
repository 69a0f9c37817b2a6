/** One fact line of a card. */
export interface CardFact {
  title: string;
  value: string;
}

/**
 * A message with an Adaptive Card attachment: the shape a Teams Workflows webhook ("Post to a channel
 * when a webhook request is received") accepts.
 * @example await postCard(url, alertCard("Sales EMEA: 62 % of checks failed", "…", [{ title: "Profile", value: "Sales EMEA" }]));
 */
export function alertCard(
  title: string,
  text: string,
  facts: CardFact[],
  style: "attention" | "good" | "default" = "attention",
) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            {
              type: "TextBlock",
              text: title,
              weight: "Bolder",
              size: "Medium",
              wrap: true,
              color: style === "attention" ? "Attention" : style === "good" ? "Good" : "Default",
            },
            { type: "TextBlock", text, wrap: true },
            { type: "FactSet", facts },
          ],
        },
      },
    ],
  };
}

/** Posts a card; throws with the status or network error so callers can log or report it. */
export async function postCard(url: string, card: unknown, timeoutMs = 10_000): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(card),
    signal: AbortSignal.timeout(timeoutMs),
    redirect: "error",
  });
  await res.text().catch(() => "");
  if (!res.ok) throw new Error(`the webhook answered HTTP ${res.status}`);
}
