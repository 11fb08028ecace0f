// The organisation-tree peer: react-arborist (npm, pinned) showing the same units as Linli, with a
// name search, fixed 40 px rows, as a plain page. Bundled by the benchmark with esbuild; never shipped.
import React, { useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { Tree } from "react-arborist";

function Node({ node, style }) {
  return (
    <div style={style} onClick={() => node.toggle()}>
      {node.isLeaf ? "·" : node.isOpen ? "▾" : "▸"} {node.data.name}
    </div>
  );
}

function App({ data }) {
  const tree = useRef(null);
  const [term, setTerm] = useState("");
  window.benchApi = {
    openAll: () => tree.current.openAll(),
    search: (q) => setTerm(q),
    rows: () => (tree.current ? tree.current.visibleNodes.length : 0),
    scroller: () => document.querySelector("[role=tree] > div"),
  };
  return (
    <Tree ref={tree} data={data} openByDefault={false} width={1200} height={720} rowHeight={40} indent={20}
      searchTerm={term} searchMatch={(n, t) => n.data.name.includes(t)} disableDrag={false}>
      {Node}
    </Tree>
  );
}

fetch("data.json").then((r) => r.json()).then((data) => {
  createRoot(document.getElementById("root")).render(<App data={data} />);
  const wait = () => (document.querySelector("[role=treeitem]") ? (window.benchReady = performance.now()) : requestAnimationFrame(wait));
  requestAnimationFrame(wait);
});
