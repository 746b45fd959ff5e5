// The code the dashboard hands out (app/lib/snippets.ts): each snippet, run through its own language's parser,
// says exactly the request the page means — the model, every turn, the settings — whatever the prompt holds.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { chatSnippets, type SnippetRequest } from "../../app/lib/snippets";

const TRICKY = `It's "quoted", a $HOME, a \`tick\`, a \\ and\na new line`;
const REQUEST: SnippetRequest = {
  origin: "https://api.example.test",
  model: "anthropic/claude-haiku-4-5",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: TRICKY },
    { role: "assistant", content: "Sure." },
    { role: "user", content: "Again" },
  ],
  temperature: 0.2,
  maxTokens: 300,
};
const EXPECTED_BODY = {
  model: REQUEST.model,
  messages: REQUEST.messages,
  temperature: 0.2,
  max_tokens: 300,
};
const code = (r: SnippetRequest, id: string) => chatSnippets(r).find((s) => s.id === id)!.code;

describe("chat snippets", () => {
  it("curl: the shell hands the API exactly the body, with the key from the environment", () => {
    const curl = code(REQUEST, "curl");
    // Run the command with curl replaced by a printer of its arguments.
    const args = execFileSync("bash", ["-c", `curl() { printf '%s\\0' "$@"; }\n${curl}`], {
      env: { BOTMARA_API_KEY: "bm_from_env" } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
      encoding: "utf8",
    }).split("\0");
    expect(args[0]).toBe("https://api.example.test/v1/chat/completions");
    expect(args).toContain("Authorization: Bearer bm_from_env");
    expect(JSON.parse(args[args.indexOf("-d") + 1]!)).toEqual(EXPECTED_BODY);
  });

  it("Python: the openai call's arguments are the request, and the key is filled in when given", () => {
    const py = code({ ...REQUEST, key: "bm_new'key" }, "python");
    const probe = `
import json, sys, types
captured = {}
class Completions:
    def create(self, **kw):
        captured.update(kw)
        return types.SimpleNamespace(choices=[types.SimpleNamespace(message=types.SimpleNamespace(content=""))])
class OpenAI:
    def __init__(self, base_url, api_key):
        captured["base_url"] = base_url; captured["api_key"] = api_key
        self.chat = types.SimpleNamespace(completions=Completions())
sys.modules["openai"] = types.SimpleNamespace(OpenAI=OpenAI)
exec(sys.stdin.read())
sys.stderr.write(json.dumps(captured))`;
    const run = spawnSync("python3", ["-c", probe], { input: py, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stderr)).toEqual({
      ...EXPECTED_BODY,
      base_url: "https://api.example.test/v1",
      api_key: "bm_new'key",
    });
  });

  it("TypeScript: a valid object literal with the same fields", () => {
    const ts = code(REQUEST, "typescript");
    const call = ts.slice(ts.indexOf("create(") + 7, ts.lastIndexOf(");"));
    expect(new Function(`return (${call});`)()).toEqual(EXPECTED_BODY);
    expect(ts).toContain('baseURL: "https://api.example.test/v1", apiKey: process.env.BOTMARA_API_KEY');
  });

  it("without settings the body has none; with a key the code carries it, not the variable", () => {
    const plain = chatSnippets({ ...REQUEST, temperature: undefined, maxTokens: undefined, key: "bm_abc" });
    for (const s of plain) {
      expect(s.code).not.toMatch(/temperature|max_tokens/);
      expect(s.code).toContain("bm_abc");
      expect(s.code).not.toContain("BOTMARA_API_KEY");
    }
  });
});
