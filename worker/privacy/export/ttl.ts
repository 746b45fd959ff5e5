// How long a ready export can be downloaded: the job sets it, the notice, the export's own text and the
// holders' retention declaration say it from this one constant.
import { HOUR_MS } from "../../time";

export const EXPORT_TTL_MS = 72 * HOUR_MS;
