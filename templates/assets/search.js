/* Placeholder until the German search engine (issue 4) lands: list.js reports that search is unavailable. */
