// density-clustering 1.3.0 ships no types; only the DBSCAN class is used here.
declare module 'density-clustering' {
  export class DBSCAN {
    /** Indices of points that belong to no cluster, after `run`. */
    noise: number[];
    /** Clusters as lists of point indices. */
    run(dataset: number[][], epsilon: number, minPts: number, distance?: (a: number[], b: number[]) => number): number[][];
  }
}
