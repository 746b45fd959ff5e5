// What the server build gets instead of recharts: charts draw in the browser only (after mount), so the
// server renders none of them and the Worker's bundle carries no chart library (vite.config.ts aliases it).
const nothing = () => null;

export const Area = nothing;
export const AreaChart = nothing;
export const Bar = nothing;
export const BarChart = nothing;
export const Brush = nothing;
export const CartesianGrid = nothing;
export const Cell = nothing;
export const ComposedChart = nothing;
export const Label = nothing;
export const LabelList = nothing;
export const Legend = nothing;
export const Line = nothing;
export const LineChart = nothing;
export const Pie = nothing;
export const PieChart = nothing;
export const ReferenceArea = nothing;
export const ReferenceLine = nothing;
export const ResponsiveContainer = nothing;
export const Scatter = nothing;
export const ScatterChart = nothing;
export const Tooltip = nothing;
export const XAxis = nothing;
export const YAxis = nothing;
