// Loaded in <head> (render-blocking, tiny): marks <html> as having JavaScript
// before the first paint, so the style sheet can keep room for what scripts
// show later (the worksheet tools) and nothing jumps.
document.documentElement.classList.add('js');
