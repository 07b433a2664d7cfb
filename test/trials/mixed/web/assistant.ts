import OpenAI from "openai";

const client = new OpenAI({
  apiKey: import.meta.env.VITE_OPENAI_API_KEY,
  dangerouslyAllowBrowser: true,
});

export async function computeWithModel(question: string): Promise<unknown> {
  const completion = await client.chat.completions.create({
    model: "gpt-4o-mini",
    max_tokens: 200,
    messages: [
      { role: "system", content: "Reply with one JavaScript expression only." },
      { role: "user", content: question },
    ],
  });
  const reply = completion.choices[0].message.content ?? "";
  const expression = reply.trim();
  return eval(expression);
}

export function sumFixed(): number {
  return eval("2 + 3");
}
