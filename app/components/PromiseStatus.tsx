// The status of a privacy promise or one of its promise checks, as a badge.

const LABEL = { kept: "Kept", at_risk: "At risk", broken: "Broken" } as const;

export function StatusBadge({ status }: { status: keyof typeof LABEL }) {
  const tone = status === "kept" ? "" : status === "broken" ? " bad" : " off";
  return <span className={`badge${tone}`}>{LABEL[status]}</span>;
}
