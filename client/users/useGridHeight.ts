import { useLayoutEffect, useState, type RefObject } from "react";

/** Height that fills the window below `ref`'s top edge (at least `min`), updated on resize. */
export function useGridHeight(ref: RefObject<HTMLElement | null>, min = 320, bottomGap = 32): number {
  const [height, setHeight] = useState(480);
  useLayoutEffect(() => {
    const measure = () => {
      const top = ref.current?.getBoundingClientRect().top ?? 0;
      setHeight(Math.max(min, Math.floor(window.innerHeight - top - bottomGap)));
    };
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, [ref, min, bottomGap]);
  return height;
}
